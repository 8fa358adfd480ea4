"""A small collector of field errors for the Naver product validation.

Every rule reports into one ``Checker`` instead of raising, so a 400 lists *all* problems at once,
each named by its dot/bracket path (``originProduct.images.optionalImages[2].url``), as Naver's
``invalidInputs`` do. The helpers read one key of a JSON object, check its type and bounds, and
return the value (or None when absent or wrong) so rules can go on checking dependent fields.

Type/message pairs marked [NAV]/[OBS] are Naver's own; the others are our spelling ([UNK] in the
reference), chosen to read like Naver's and flagged as such in the code that uses them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from storebridge.sandbox.naver.wire import SimInvalidInput

#: [OBS, D-1903] missing required field (the doc message was cut off; full text is our guess).
NOT_NULL = ("NotNull", "데이터를 입력해주세요.")
#: [NAV, D-2216] value outside an enum.
ENUM = ("InvalidEnum", "Enum값을 입력하지 않았거나 허용되지 않은 Enum 값입니다")
#: Our spellings for the remaining generic rules.
TYPE_MISMATCH = ("TypeMismatch", "데이터 형식이 올바르지 않습니다.")
BLANK = ("NotBlank", "공백만 입력할 수 없습니다.")


def join(path: str, key: str) -> str:
    """``join("originProduct", "name")`` → ``originProduct.name`` (an empty path gives the key)."""
    return f"{path}.{key}" if path else key


class Checker:
    """Accumulates ``SimInvalidInput`` items; ``ok`` tells whether none were added."""

    def __init__(self) -> None:
        self.issues: list[SimInvalidInput] = []

    @property
    def ok(self) -> bool:
        """True while no rule has failed."""
        return not self.issues

    def add(self, name: str, rule: tuple[str, str] | str, message: str | None = None) -> None:
        """Record one problem; ``rule`` is a (type, message) pair or a type with ``message``."""
        if isinstance(rule, tuple):
            type_, text = rule
        else:
            type_, text = rule, message or ""
        self.issues.append(SimInvalidInput(name, type_, text))

    def _present(self, parent: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
        value = parent.get(key)
        if value is None and required:
            self.add(join(path, key), NOT_NULL)
        return value

    def obj(self, parent: Mapping[str, Any], key: str, path: str, *, required: bool) -> dict[str, Any] | None:
        """A nested JSON object."""
        value = self._present(parent, key, path, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(join(path, key), TYPE_MISMATCH)
            return None
        return value

    def text(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_chars: int | None = None,
    ) -> str | None:
        """A string; a required one must not be blank. Longer than ``max_chars`` is an error."""
        value = self._present(parent, key, path, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(join(path, key), TYPE_MISMATCH)
            return None
        if required and not value.strip():
            self.add(join(path, key), BLANK)
            return None
        if max_chars is not None and len(value) > max_chars:
            self.add(join(path, key), "Size", f"최대 {max_chars}자까지 입력할 수 있습니다.")
            return None
        return value

    def integer(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """A JSON integer (``true``, ``1.5`` and ``"100"`` are type errors) within the bounds."""
        value = self._present(parent, key, path, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(join(path, key), TYPE_MISMATCH)
            return None
        if minimum is not None and value < minimum:
            self.add(join(path, key), "Min", f"{minimum:,} 이상으로 입력해주세요.")
            return None
        if maximum is not None and value > maximum:
            self.add(join(path, key), "Max", f"{maximum:,} 이하로 입력해주세요.")
            return None
        return value

    def boolean(self, parent: Mapping[str, Any], key: str, path: str, *, required: bool) -> bool | None:
        """A JSON boolean (``"true"`` is a type error)."""
        value = self._present(parent, key, path, required)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add(join(path, key), TYPE_MISMATCH)
            return None
        return value

    def enum(
        self, parent: Mapping[str, Any], key: str, path: str, allowed: Collection[str], *, required: bool
    ) -> str | None:
        """One of ``allowed`` (case-sensitive, as Java enums are)."""
        value = parent.get(key)
        if value is None:
            if required:
                self.add(join(path, key), ENUM)
            return None
        if not isinstance(value, str) or value not in allowed:
            self.add(join(path, key), ENUM)
            return None
        return value

    def array(
        self,
        parent: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        max_items: int | None = None,
    ) -> list[Any] | None:
        """A JSON array; a required one must not be empty; more than ``max_items`` is an error."""
        value = self._present(parent, key, path, required)
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(join(path, key), TYPE_MISMATCH)
            return None
        if required and not value:
            self.add(join(path, key), NOT_NULL)
            return None
        if max_items is not None and len(value) > max_items:
            self.add(join(path, key), "Size", f"최대 {max_items}개까지 입력할 수 있습니다.")
            return None
        return value

    def items(self, values: list[Any], path: str) -> list[tuple[str, dict[str, Any]]]:
        """The object elements of an array with their ``path[i]`` names; non-objects are reported."""
        found: list[tuple[str, dict[str, Any]]] = []
        for index, value in enumerate(values):
            item_path = f"{path}[{index}]"
            if isinstance(value, dict):
                found.append((item_path, value))
            else:
                self.add(item_path, TYPE_MISMATCH)
        return found
