"""A statement as JSON, CSV (UTF-8 with a BOM, for Excel) and a printable PDF (reportlab)."""

from __future__ import annotations

import csv
import io
from typing import Any

from dayi.core.money import fmt
from dayi.core.spreadsheet import csv_text
from dayi.statements.queries import Statement

CSV_HEADER = [
    "订单 (order)",
    "仪器 (instrument)",
    "服务方式 (mode)",
    "用户 (user)",
    "服务单位 (provider)",
    "收费 (charges)",
    "更正 (corrections)",
    "付款 (payments)",
    "合计 (total)",
]


def as_json(s: Statement) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "id": s.subject_id,
        "name": s.name,
        "month": s.period,
        "opening": fmt(s.opening),
        "charges": fmt(s.charges),
        "corrections": fmt(s.corrections),
        "payments": fmt(s.payments),
        "total": fmt(s.total),
        "closing": fmt(s.closing),
        "orders": [
            {
                "order": o.order_id,
                "instrument": o.instrument,
                "mode": o.mode,
                "customer": o.customer,
                "provider": o.provider,
                "status": o.status,
                "charges": fmt(o.charges),
                "corrections": fmt(o.corrections),
                "payments": fmt(o.payments),
                "total": fmt(o.total),
            }
            for o in s.orders
        ],
        "entries": [
            {
                "id": e.id,
                "order": e.order_id,
                "kind": e.kind,
                "amount": fmt(e.amount),
                "created": e.created.isoformat(),
                "note": e.note,
            }
            for e in s.entries
        ],
    }


def _summary_rows(s: Statement) -> list[list[str]]:
    return [
        ["期初应付 (opening)", fmt(s.opening)],
        ["本月收费 (charges)", fmt(s.charges)],
        ["本月更正 (corrections)", fmt(s.corrections)],
        ["本月付款 (payments)", fmt(s.payments)],
        ["本月合计 (total)", fmt(s.total)],
        ["期末应付 (closing)", fmt(s.closing)],
    ]


def as_csv(s: Statement) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["对账单 (statement)", csv_text(s.name), s.period])
    writer.writerow(CSV_HEADER)
    for o in s.orders:
        row = [o.order_id, o.instrument, o.mode, o.customer, o.provider]
        writer.writerow([csv_text(v) for v in [*row, o.charges, o.corrections, o.payments, o.total]])
    writer.writerow([])
    writer.writerows(_summary_rows(s))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


FONT = "STSong-Light"


def _font() -> str:
    """reportlab's built-in CID font for Simplified Chinese: no font file to ship."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def as_pdf(s: Statement) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=f"{s.name} {s.period}", author="Dayi")
    header = ["订单", "仪器", "方式", "用户", "服务单位", "收费", "更正", "付款", "合计"]
    rows: list[list[Any]] = [header]
    for o in s.orders:
        rows.append(
            [
                str(o.order_id),
                Paragraph(o.instrument, body),
                o.mode,
                o.customer,
                Paragraph(o.provider, body),
                *(fmt(v) for v in (o.charges, o.corrections, o.payments, o.total)),
            ]
        )
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ("ALIGN", (5, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    summary = Table(_summary_rows(s), style=[("FONT", (0, 0), (-1, -1), font, 9)])
    story = [
        Paragraph(f"{s.name} 对账单 {s.period}", title),
        Spacer(1, 8),
        Table(rows, repeatRows=1, style=style, colWidths=[36, 120, 44, 50, 90, 44, 44, 44, 44]),
        Spacer(1, 12),
        summary,
    ]
    doc.build(story)
    return out.getvalue()
