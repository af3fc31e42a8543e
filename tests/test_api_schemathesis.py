"""Property-based tests of every operation in the generated OpenAPI document.

Schemathesis reads ``/api/v1/openapi.json`` from the app in-process (WSGI) and
sends generated requests with a county officer's valid token: no answer may be
a server error, and every answer must be documented — its status, content
type, headers and body schema — and a request without the token must be
refused.  (Schemathesis's "positive data acceptance" is left out: the
contract's rules beyond JSON Schema — SPEC §2.3's USCC checksum and bounds,
dates before the policy took effect — rightly answer a schema-valid request
with 422.)  One test per operation, each on a fresh
database (the operations are listed from the registry the document is built
from, so a new endpoint is tested without editing this file).
"""
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, ignored_auth, response_headers_conformance,
    response_schema_conformance, status_code_conformance,
)
from sqlalchemy import select

from models import County, Enterprise, IntakeRound, User, db
from pool.records import registration
from pool.reference import city
from pool.targets import targetset
from pool.eligibility import rulebook
from pool.api import openapi, operations  # importing pool.api declares every operation
from pool.api.parts import PLURAL

from . import model_factories as mf
from .test_api import api_app, bearer, dy_applicant, lifecycle_rows, tokens  # noqa: F401 - fixtures

EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance, ignored_auth]
OPERATIONS = [(op.method, op.path) for op in operations.registry.operations]
ADMIN_ONLY = {(op.method, op.path) for op in operations.registry.operations if op.admin}


@pytest.fixture
def own_ids(api_app, world):  # noqa: F811
    """Ids of the officer's own rows: the admitted dy_ent and a registered
    applicant with every kind of record, and a part of each kind of each
    (generated ids would nearly all be 404), at version 1 in dy_ent and 2 in
    the applicant, as the If-Match the test sends with each; a closed and an
    open intake round, a pending correction of dy_ent's admission, an award
    settlement with items of both counties, and the targets' regions (the
    officer's county, and the target sets to evaluate it by)."""
    with api_app.app_context():
        officer = db.session.get(User, world.dy_officer.id)
        registered, _check = registration.register_applicant(
            db.session, dy_applicant(), actor=officer, as_of=date(2025, 6, 30),
            on=date(2025, 7, 1), rulebook=rulebook.load(db.session))
        ours = mf.parts_of_each_kind(db.session, db.session.get(Enterprise, world.dy_ent.id),
                                     officer)
        rows = {}
        for name, plural in PLURAL.items():
            theirs = getattr(registered, plural)[0]
            theirs.version += 1
            rows[f"{name}_id"] = [ours[f"{name}_id"], theirs.id]
        db.session.commit()
        lifecycle = lifecycle_rows(db.session, world)  # a closed round, a pending correction
        current = IntakeRound(name="第二批", opened_on=date(2026, 1, 1))
        db.session.add(current)
        db.session.commit()
        settlement_id = mf.award_settlement(db.session, world)
        city.ensure_regions(db.session, list(db.session.scalars(select(County))))  # the targets' regions
        db.session.commit()
        return {"enterprise_id": [world.dy_ent.id, registered.id], "county_id": [world.dy.id],
                "programme": list(targetset.codes()), "region": [world.dy.code],
                "round_id": [lifecycle["round_id"], current.id], "settlement_id": [settlement_id],
                "correction_id": [lifecycle["correction_id"]], **rows}


@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_conforms_and_never_fails(api_app, tokens, own_ids, method,  # noqa: F811
                                                  path):
    api_app.config["API_RATE_LIMIT"] = 10**6  # generated traffic, not the limiter, is under test
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    # what only the city administrator may do is tried by one (an officer's 403 is tested apart)
    headers = bearer(tokens["admin" if (method, path) in ADMIN_ONLY else "dy"])

    @given(case=schema[path][method].as_strategy(), own=st.booleans(), pick=st.integers(0, 1))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def conforms(case, own, pick):
        for name in case.path_parameters or {}:
            if own and name in own_ids:  # half the time, a row the officer may see
                case.path_parameters[name] = own_ids[name][pick % len(own_ids[name])]
        if own and case.headers and "If-Match" in case.headers:
            case.headers["If-Match"] = f'"{pick + 1}"'  # sometimes the current version
        case.call_and_validate(headers=headers, checks=CHECKS)

    conforms()


def test_the_registry_is_the_document(api_app):  # noqa: F811
    with api_app.test_request_context():
        paths = openapi.document()["paths"]
    assert sorted((m.lower(), p) for m, p in OPERATIONS) == sorted(
        (m, p) for p, item in paths.items() for m in item)
