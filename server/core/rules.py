"""Request rules that tie fields together ("opinion is required", "forward needs `to_window_id`"),
declared on the request model: checked when the body is validated and published in the OpenAPI
document (`required`, `minLength`/`pattern`, `if`/`then` and a description).

A broken rule answers the contract's 400 `INVALID_REQUEST` with its own Chinese message and
`details.fields` = {field: message}. It is checked after the fields themselves are valid, so a body
with a malformed field still gets the usual list of field errors first.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

from server import errors

# a text with something besides whitespace (Python's `str.strip` and the regex's `\s` agree on it)
NOT_BLANK = {"type": "string", "minLength": 1, "pattern": r"\S"}


@dataclasses.dataclass(frozen=True)
class Needs:
    """`field` must be given: a text that is not blank, any other value not null. With `when`
    (another field and the values it takes) only then; otherwise always."""

    field: str
    message: str  # details.fields[field]
    summary: str | None = None  # the error's message; the field's message when None
    when: tuple[str, tuple[str, ...]] | None = None

    def broken_by(self, body: BaseModel) -> bool:
        if self.when is not None and getattr(body, self.when[0]) not in self.when[1]:
            return False
        value = getattr(body, self.field)
        return value is None or (isinstance(value, str) and not value.strip())

    def describe(self) -> str:
        cond = f"{self.when[0]} 为 {'/'.join(self.when[1])} 时" if self.when else ""
        return f"{cond}必填、不能为空白（否则 400 INVALID_REQUEST，details.fields.{self.field}：{self.message}）"


def _document(schema: dict[str, Any], model: type[RuledModel]) -> None:
    props = schema.setdefault("properties", {})
    for rule in model.rules:
        prop = props[rule.field]
        text = "string" in (prop.get("type"), *(b.get("type") for b in prop.get("anyOf", ())))
        prop["description"] = " ".join(filter(None, (prop.get("description"), rule.describe())))
        given = NOT_BLANK if text else {"not": {"type": "null"}}
        if rule.when is None:
            schema["required"] = list(dict.fromkeys([*schema.get("required", []), rule.field]))
            prop.pop("default", None)
            prop.update(given)
        else:
            on, values = rule.when
            schema.setdefault("allOf", []).append({
                "if": {"properties": {on: {"enum": list(values)}}, "required": [on]},
                "then": {"properties": {rule.field: given}, "required": [rule.field]}})


class RuledModel(BaseModel):
    """A request body with `rules`: `Needs(...)` checked in order, the first broken one answers."""

    model_config = ConfigDict(json_schema_extra=_document)
    rules: ClassVar[tuple[Needs, ...]] = ()

    @model_validator(mode="after")
    def _check_rules(self):
        for rule in self.rules:
            if rule.broken_by(self):
                # not a ValueError: pydantic lets it through, and the web layer answers it as it is
                raise errors.field_error(rule.field, rule.message, rule.summary)
        return self
