"""Refusals of the coordinator's merge tools, coded like the vault's errors
(db/errors.py) so that the GUI translates them from the code
(desktop/messages.py). A person or link that is not there is the vault's
own ``not-found``."""

from __future__ import annotations

from typing import ClassVar

from db.api import CodedError, Codes


class MergeRefused(CodedError):
    codes: ClassVar[Codes] = {
        # A person cannot be linked as the same as itself.
        "same-as-self": ("person_id",),
        # The link named to undo is not a same-as link (another relation).
        "same-as-not-a-link": ("link_id",),
    }


def same_as_self(person_id: str) -> MergeRefused:
    return MergeRefused(
        f"Person {person_id} cannot be marked as the same as itself; nothing was changed.",
        "same-as-self",
        person_id=person_id,
    )


def not_a_same_as_link(link_id: str) -> MergeRefused:
    return MergeRefused(
        f"Link {link_id} does not say that two persons are the same, so it was not undone here; "
        "nothing was changed.",
        "same-as-not-a-link",
        link_id=link_id,
    )
