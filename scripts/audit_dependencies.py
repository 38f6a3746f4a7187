"""Audit the installed dependencies against the PyPI advisory database (pip-audit).

A known vulnerability fails the run. When the advisory database cannot be reached, or holds
none of the installed versions (an offline mirror), the audit is reported as skipped, with
the reason, instead of failing a build that has no network.
"""

import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = str(Path(sys.executable).parent / "pip-audit")


def main() -> int:
    done = subprocess.run(
        [PIP_AUDIT, "--progress-spinner", "off", "--skip-editable", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        reason = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        print(f"dependency audit skipped: the advisory database is unreachable ({reason})")
        return 0
    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        print(f"dependency audit failed: {len(vulnerable)} vulnerable of {audited} audited")
        return 1
    if audited == 0:
        print(
            f"dependency audit skipped: the advisory database knows none of the "
            f"{len(skipped)} installed versions (an offline mirror?)"
        )
        return 0
    print(
        f"dependency audit: no known vulnerabilities in {audited} packages "
        f"({len(skipped)} not in the advisory database)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
