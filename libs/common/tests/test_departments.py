"""The department registry: shipped codes, operator-added units, and the message a typo gets."""

from __future__ import annotations

import pytest
from qianzhao.common import departments
from qianzhao.common.errors import DomainError


@pytest.fixture
def registry(monkeypatch, tmp_path):
    extra = tmp_path / "units.csv"
    extra.write_text("code,name,short_name\nnanming_natural_resources,贵阳市南明区自然资源局,南明区自然资源局\n", "utf-8")
    monkeypatch.setenv("QZ_DEPARTMENTS_FILE", str(extra))
    departments.all_departments.cache_clear()
    yield
    monkeypatch.delenv("QZ_DEPARTMENTS_FILE")
    departments.all_departments.cache_clear()


def test_shipped_codes_are_unique_and_named():
    found = departments.all_departments()
    assert len(found) >= 25 and all(departments.CODE.match(c) for c in found)
    assert found["natural_resources"].short_name == "省自然资源厅"


def test_operators_add_units_by_configuration(registry):
    assert departments.get("nanming_natural_resources").name == "贵阳市南明区自然资源局"
    assert departments.get("energy") is not None


def test_unknown_codes_are_refused_with_a_hint():
    with pytest.raises(DomainError) as typo:
        departments.require("自然资原厅", "leadDepartment")
    assert typo.value.code == "BAD_USER_INPUT" and typo.value.field == ["leadDepartment"]
    with pytest.raises(DomainError) as name:
        departments.require("省自然资源厅", "department")
    assert "did you mean 'natural_resources'" in name.value.message
    assert departments.require(" energy ", "x") == "energy"


def test_a_malformed_registry_file_is_refused(monkeypatch, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,short_name\nNot A Code,名称,\n", "utf-8")
    monkeypatch.setenv("QZ_DEPARTMENTS_FILE", str(bad))
    departments.all_departments.cache_clear()
    try:
        with pytest.raises(ValueError, match="not a department row"):
            departments.all_departments()
    finally:
        monkeypatch.delenv("QZ_DEPARTMENTS_FILE")
        departments.all_departments.cache_clear()
