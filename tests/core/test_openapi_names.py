"""The OpenAPI document names each schema once: two different schemas of one name are merged into one
component, and every operation then documents whichever came last (the reliability suite found
``POST /platforms/{code}/members`` documented with an account's ``{"user"}`` body)."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema

import dayi.api
import dayi.urls


def dayi_schemas() -> list[type[Schema]]:
    found: list[type[Schema]] = []
    stack: list[type[Schema]] = [Schema]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("dayi."):
                found.append(sub)
    return found


def test_no_two_different_schemas_share_a_name() -> None:
    shapes: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for schema in dayi_schemas():
        shape = repr(sorted(schema.model_json_schema().get("properties", {}).items()))
        shape += repr(sorted(schema.model_json_schema().get("required", [])))
        shapes[schema.__name__][shape].append(schema.__module__)
    clashes = {name: sorted(m for ms in by_shape.values() for m in ms) for name, by_shape in shapes.items()
               if len(by_shape) > 1}  # fmt: skip
    assert not clashes, f"rename one of each: {clashes}"


def test_the_membership_request_documents_its_own_body() -> None:
    document = dayi.api.api.get_openapi_schema()
    body = document["paths"]["/api/v1/platforms/{code}/members"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "institution" in document["components"]["schemas"][ref]["properties"]
