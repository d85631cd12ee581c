"""One page of a Query, with an exact "is there more" answer.

A page reads ``limit + 1`` items: the extra item tells whether a next page exists, so the last
page never hands out a cursor to an empty page. The next start key is rebuilt from the last
returned item (table keys plus the index keys when querying an index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.expressions.condition import Condition
from pynamodb.indexes import Index
from pynamodb.models import Model

M = TypeVar("M", bound=Model)

StartKey = dict[str, Any]


@dataclass(frozen=True)
class Page(Generic[M]):
    """Items of one page and the DynamoDB key to continue from (None on the last page)."""

    items: list[M]
    next_key: StartKey | None


def _key_names(model: type[Model], index: Index[Any] | None) -> list[str]:
    names = [model._hash_keyname, model._range_keyname]
    if index is not None:
        names += [k["AttributeName"] for k in index._get_schema()["key_schema"]]
    return list(dict.fromkeys(n for n in names if n))


def query_page(
    source: type[M] | Index[Any],
    hash_key: str,
    *,
    limit: int,
    start_key: StartKey | None = None,
    range_key_condition: Condition | None = None,
    filter_condition: Condition | None = None,
    newest_first: bool = False,
    model: type[M] | None = None,
) -> Page[M]:
    """Query one page of ``limit`` items from a model or one of its indexes."""
    if isinstance(source, Index):
        index: Index[Any] | None = source
        item_model: type[M] = model or source._model
        if model is not None:
            # Deserialise index results as the requested subclass of the table model.
            results = model.query(
                hash_key,
                range_key_condition,
                filter_condition,
                index_name=source.Meta.index_name,
                limit=limit + 1,
                page_size=limit + 1,
                last_evaluated_key=start_key,
                scan_index_forward=not newest_first,
            )
        else:
            results = source.query(
                hash_key,
                range_key_condition,
                filter_condition,
                limit=limit + 1,
                page_size=limit + 1,
                last_evaluated_key=start_key,
                scan_index_forward=not newest_first,
            )
    else:
        index = None
        item_model = source
        results = source.query(
            hash_key,
            range_key_condition,
            filter_condition,
            limit=limit + 1,
            page_size=limit + 1,
            last_evaluated_key=start_key,
            scan_index_forward=not newest_first,
        )
    items: list[M] = list(results)
    if len(items) <= limit:
        return Page(items, None)
    items = items[:limit]
    serialized = items[-1].serialize()
    next_key = {name: serialized[name] for name in _key_names(item_model, index)}
    return Page(items, next_key)
