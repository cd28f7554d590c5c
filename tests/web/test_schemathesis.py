"""Schemathesis fuzzes every documented GET endpoint against its OpenAPI schema.

Bounded (a few examples per operation) so it stays well under a minute; it checks
that no input gives a 5xx, that answers match their documented schemas and that
status codes and content types are documented. Operations are driven one by one
with ``as_strategy`` (schemathesis's pytest fixture loader does not work with pytest 9).
"""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings


def test_api_conforms_to_its_openapi_document(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app).include(method="GET")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        try:
            check()
        except Exception as exc:  # collect every failing operation, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


