"""Building blocks shared by every response model."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from decnet.web.db.types import simhash_to_hex


def _list_or_empty(value: Any) -> Any:
    return [] if value is None else value


def _hex_or_none(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return simhash_to_hex(bytes(value))
    return value


def _reject_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain a NUL character (\\u0000); remove it")
    return value


# Request text that is stored or compared in the database. PostgreSQL
# cannot store a NUL character in text, so it is rejected here on every
# database alike instead of failing there.
StoredText = Annotated[str, AfterValidator(_reject_nul)]

# A JSON list column: null in the database is an empty array in the API.
StrList = Annotated[list[str], BeforeValidator(_list_or_empty)]
IntList = Annotated[list[int], BeforeValidator(_list_or_empty)]
# A 64-bit SimHash as 16 lower-case hex digits.
SimHashHex = Annotated[
    Annotated[str, Field(pattern=r"^[0-9a-f]{16}$", examples=["8f3a0c21d4e5b697"])]
    | None,
    BeforeValidator(_hex_or_none),
]


class ApiModel(BaseModel):
    """Base of every response model: built from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class PageBase(ApiModel):
    """One page of a list: at most `limit` rows of `total`, from `offset`."""

    total: int = Field(ge=0)
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)


class Message(BaseModel):
    """An error or status message."""

    detail: str
