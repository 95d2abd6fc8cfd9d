"""A run's results as XLSX (openpyxl: a results sheet, an indicators sheet, the configuration) and as a
printable PDF (reportlab, the built-in STSong-Light CID font: no font file to ship)."""

from __future__ import annotations

import io
from typing import IO, Any

from django.utils.translation import override

from dayi.core.spreadsheet import xlsx_cell
from dayi.evaluation import engine, queries
from dayi.evaluation.models import Evaluation, Grade, IndicatorScore

with override("zh-hans"):  # the report's Chinese words, whatever the reader's language
    GRADE_ZH = {g.value: str(g.label) for g in Grade}
HISTORY_YEARS = list(range(2018, 2025))

RESULT_HEADER = [
    "名次 rank",
    "单位 institution",
    "单位编号 institution_id",
    "总分 total",
    "组织管理 organisation",
    "运行使用 operation",
    "共享服务成效 service",
    "等级 grade",
    *[f"国家评价{y} national_{y}" for y in HISTORY_YEARS],
]
INDICATOR_HEADER = [
    "单位 institution",
    "指标 indicator",
    "组 group",
    "指标值 value",
    "得分 score",
    "权重 weight",
    "说明 explanation",
    "explanation (English)",
]


def title(evaluation: Evaluation) -> str:
    return f"{evaluation.platform.name} {evaluation.year} 年度开放共享评价考核结果"


def result_rows(evaluation: Evaluation) -> list[list[Any]]:
    results = list(queries.results(evaluation))
    history = queries.national_history((r.institution_id, r.institution_name) for r in results)
    rows = []
    for r in results:
        grades = {h.year: GRADE_ZH[h.grade] for h in history.get(r.institution_id, [])}
        rows.append(
            [
                r.rank,
                r.institution_name,
                r.institution_id,
                r.total,
                r.organisation_score,
                r.operation_score,
                r.service_score,
                GRADE_ZH[r.grade],
                *[grades.get(y, "") for y in HISTORY_YEARS],
            ]
        )
    return rows


def as_xlsx(evaluation: Evaluation) -> IO[bytes]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)

    def sheet_of(name: str) -> Any:
        sheet = book.create_sheet(name)

        def cell(value: Any) -> Any:
            return xlsx_cell(sheet, value)

        return sheet, cell

    results, cell = sheet_of("评价结果")
    results.append([cell(title(evaluation))])
    results.append([cell(h) for h in RESULT_HEADER])
    for row in result_rows(evaluation):
        results.append([cell(v) for v in row])
    indicators, cell = sheet_of("指标得分")
    indicators.append([cell(h) for h in INDICATOR_HEADER])
    scores = (
        IndicatorScore.objects.filter(result__evaluation=evaluation)
        .select_related("result")
        .order_by("result__rank", "result__institution_name", "result_id", "position")
    )
    for s in scores.iterator(chunk_size=5000):
        metric = engine.METRICS[s.metric]
        group = engine.GROUPS[s.group][0]
        row = [s.result.institution_name, metric.zh, group, s.value, s.score, s.weight]
        indicators.append([cell(v) for v in [*row, s.explanation, s.explanation_en]])
    config, cell = sheet_of("评价配置")
    for line in config_lines(evaluation.config):
        config.append([cell(v) for v in line])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def config_lines(config: dict[str, Any]) -> list[list[str]]:
    lines = [["组 group", "权重 weight"]]
    lines += [[names[0], config["groups"][g]] for g, names in engine.GROUPS.items()]
    lines.append([])
    lines.append(["指标 indicator", "组 group", "计分方法 method", "权重 weight", "参数 parameters"])
    for ind in config["indicators"]:
        params = ", ".join(f"{k}={ind[k]}" for k in ("floor", "target", "reference", "points") if k in ind)
        lines.append(
            [
                engine.METRICS[ind["metric"]].zh,
                engine.GROUPS[ind["group"]][0],
                engine.METHODS[ind["method"]][0],
                ind["weight"],
                params,
            ]
        )
    g = config["grading"]
    lines.append([])
    lines.append(["定级 grading", g["method"], str(g["thresholds"]), str(g["quotas"])])
    return lines


FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def as_pdf(evaluation: Evaluation) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    heading = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title(evaluation), author="Dayi")
    header = [
        "名次",
        "单位",
        "总分",
        "组织管理",
        "运行使用",
        "共享服务",
        "等级",
        *[str(y) for y in HISTORY_YEARS],
    ]
    rows: list[list[Any]] = [header]
    for r in result_rows(evaluation):
        rank, name, _iid, total, org, op, svc, grade, *history = r
        rows.append(
            [str(rank), Paragraph(name, body), *(str(v) for v in (total, org, op, svc)), grade, *history]
        )
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("ALIGN", (2, 0), (5, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    g = evaluation.config["groups"]
    note = (
        f"共 {evaluation.institutions} 家单位；组织管理 {engine.plain(g['organisation'])}、"
        f"运行使用 {engine.plain(g['operation'])}、共享服务成效 {engine.plain(g['service'])}（权重）；"
        "同分按共享服务成效得分排序。"
        "右侧为国家评价考核历年等级（科技部、财政部）。"
    )
    widths = [30, 190, 40, 44, 44, 44, 34, *[34] * len(HISTORY_YEARS)]
    story = [
        Paragraph(title(evaluation), heading),
        Spacer(1, 4),
        Paragraph(note, body),
        Spacer(1, 8),
        Table(rows, repeatRows=1, style=style, colWidths=widths),
    ]
    doc.build(story)
    return out.getvalue()
