"""The plain summary of ``fieldvault sync`` at a coordinator desk says what
its round took from its inbox (session 18, H9; docs/cli.md ``sync``).

H8's scene (tests/sync/client/test_sync_kept_out_custody.py: a real server
on loopback, Kyiv's history hand-over delivered to Lviv's inbox, X pending
at Lviv), Lviv's real ``fieldvault sync`` in a child process. Before, the
line began "0 bundle(s) imported." though the round took the hand-over,
and said nothing of the records it kept aside (X's, its vouch lapsed):
both counted the pulled bundles only."""

from __future__ import annotations

import re
from pathlib import Path

from tests.sync.client.test_sync_kept_out_custody import _lapsed_hand_over_in_lviv_inbox, _lviv_syncs
from tests.sync.desk_world import ServerDesks, server_desks

desks = server_desks
__all__ = ["desks"]


def test_the_plain_line_names_the_hand_over_taken_and_what_it_kept_aside(
    desks: ServerDesks, tmp_path: Path
) -> None:
    scene = _lapsed_hand_over_in_lviv_inbox(desks, tmp_path)
    stdout, stderr = _lviv_syncs(desks, tmp_path)
    assert stdout.startswith(
        f"1 history hand-over bundle(s) taken from the inbox ({scene.hand_over_id}) and 0 other bundle(s) "
        "imported."
    ), stdout
    kept = re.search(r" (\d+) record change\(s\) from devices whose vouch lapsed kept aside", stdout)
    assert kept is not None and int(kept.group(1)) > 0, stdout  # X's case and photo at least
    # An honest hand-over: nothing said incomplete (the removed desk's bundle is no unchecked one).
    assert "incomplete" not in stdout + stderr
    assert "granary" not in stdout + stderr and "X's first case" not in stdout + stderr
