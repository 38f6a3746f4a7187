"""`kieubao drill`: the chain from a real feed to the replies, with figures that add up."""

import json
import subprocess
from pathlib import Path

from tests.faults import KIEUBAO

FEED = (
    Path(__file__).parents[1] / "data" / "feeds" / "usgs" / "usgs-latest-earthquakes_2.5_week.json"
)


def test_a_drill_on_the_real_week_of_quakes_runs_the_chain_to_the_replies(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [KIEUBAO, "drill", "--feed", str(FEED), "--registry", "60", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["hazards"] == 245 and figures["alerts"] >= 1
    assert figures["exposed"] >= 12  # the generated people around the strongest quake
    assert figures["asked"] + figures["not_asked"] == figures["exposed"]
    assert figures["messages_received"] == figures["asked"]  # each once, into the sink
    assert figures["reconciled"] == figures["replies"] > 0
    assert figures["unaccounted_left"] == figures["exposed"] - figures["replies"]
    assert [what for _, what in figures["timeline"]][-1].endswith("still unaccounted for")
