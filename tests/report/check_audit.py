#!/usr/bin/env python3
"""Checks the report's section "Auditing reviewer 1" against the results it
is built from; exits 1 naming every problem.

  check_audit.py REPORT_DIR REVIEWER_AUDIT_JSON RESULTS_DIR TIER

RESULTS_DIR holds EXP.TIER.json of RE-audit, RE-completeness and
XOR-completeness (any may be missing). Recomputed here, independently of
report.cc: one table row per (sentence, claim) in the data file's order,
each with its claim id, the claim's verdict and the reconstructed marker,
and for RE-audit claims exactly the map cells data.per_cell_verdicts marks
reproduced / not reproduced, and the undecided count; the geometry sentence
says "no cell reproduces RE-audit/P2-line" exactly when no P2-line cell is
reproduced. Without an RE-audit result the section is a one-line note.
"""
import json
import os
import re
import sys

report_dir, audit_path, results_dir, tier = sys.argv[1:5]
problems = []
md = open(os.path.join(report_dir, "report.md"), encoding="utf-8").read()
page = open(os.path.join(report_dir, "report.html"), encoding="utf-8").read()
audit = json.load(open(audit_path, encoding="utf-8"))

WORDS = {"reproduced": "reproduced", "not_reproduced": "not reproduced",
         "undecided_at_this_scale": "undecided", "descriptive": "descriptive"}


def result(experiment):
    path = os.path.join(results_dir, f"{experiment}.{tier}.json")
    return json.load(open(path, encoding="utf-8")) if os.path.exists(path) else None


def plain(cell):
    return re.sub(r"<[^>]+>", " ", cell).replace("\\|", "|")


parts = md.split("\n## Auditing reviewer 1\n\n", 1)
if len(parts) != 2:
    problems.append("report.md has no section '## Auditing reviewer 1'")
    section = ""
else:
    section = parts[1].split("\n## ", 1)[0]
if 'id="auditing-reviewer-1"' not in page or 'href="#auditing-reviewer-1"' not in page:
    problems.append("report.html: the section has no anchor or no contents entry")

re_audit = result("RE-audit")
if re_audit is None:
    if section.strip().count("\n") != 0 or "No RE-audit result" not in section:
        problems.append(f"without an RE-audit result the section should be a one-line "
                        f"note, found: {section[:200]!r}")
else:
    data = re_audit["data"]
    axes = data["map_axes"]
    fixed = {k for k, name in (("N", "ns"), ("m", "ms"), ("d", "dims"), ("wd", "decays"))
             if len(axes.get(name, [])) == 1}

    def label(cell):
        return ", ".join(p for p in cell.split(",") if p.split("=")[0] not in fixed)

    rows = [l for l in section.splitlines() if l.startswith("| ")][1:]  # past the header
    rows = [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows]
    want = [(s, c) for s in audit["sentences"] for c in s["claims"]]
    if len(rows) != len(want):
        problems.append(f"the table has {len(rows)} rows, want {len(want)} "
                        "(one per sentence and claim)")
    for row, (sentence, claim) in zip(rows, want):
        cid = claim["id"]
        if len(row) != 7:
            problems.append(f"{cid}: row has {len(row)} cells, want 7")
            continue
        first = claim is sentence["claims"][0]
        if first and f"\u201c{sentence['sentence']}\u201d" not in row[0]:
            problems.append(f"{cid}: row does not quote its sentence")
        if cid not in row[1]:
            problems.append(f"{cid}: row names {row[1]!r}")
        exp = result(cid.split("/")[0])
        c = None if exp is None else next((x for x in exp["claims"] if x["id"] == cid), None)
        if c is None:
            if "not run" not in row[2] and "not in this result" not in row[2]:
                problems.append(f"{cid}: no result, yet the row says {row[2]!r}")
            continue
        verdict = plain(row[2])
        if not re.search(r"[\u2714\u2718?~] " + re.escape(WORDS[c["verdict"]]) + r"\b",
                         verdict):
            problems.append(f"{cid}: verdict {c['verdict']} not shown: {verdict!r}")
        if c.get("reconstructed") and "*(reconstr.)*" not in row[2]:
            problems.append(f"{cid}: a reconstructed verdict without its marker")
        cells = data.get("per_cell_verdicts", {}).get(cid)
        if cid.startswith("RE-audit/") and cells is not None:
            for col, v in ((4, "reproduced"), (5, "not_reproduced")):
                shown = set()
                if row[col] != "none":
                    for entry in row[col].split("<br>"):
                        shown.add(re.sub(r"\s*<small>.*", "", entry).strip())
                expected = {label(x["cell"]) for x in cells if x["verdict"] == v}
                if shown != expected:
                    problems.append(f"{cid}: {v} cells shown {sorted(shown)}, "
                                    f"per_cell_verdicts has {sorted(expected)}")
            undecided = sum(x["verdict"] not in ("reproduced", "not_reproduced")
                            for x in cells)
            if not row[6].startswith(f"{undecided} of {len(cells)} cells"):
                problems.append(f"{cid}: undecided {row[6]!r}, want {undecided} of "
                                f"{len(cells)}")
    line_cells = data.get("per_cell_verdicts", {}).get("RE-audit/P2-line", [])
    geometry = section.split("**Which setting decides the geometry.** ", 1)
    if len(geometry) != 2:
        problems.append("no sentence on which setting decides the geometry")
    else:
        none = not any(x["verdict"] == "reproduced" for x in line_cells)
        says_none = "no cell reproduces RE-audit/P2-line" in geometry[1]
        if none != says_none:
            problems.append(f"geometry sentence {geometry[1][:160]!r} but "
                            f"{'no' if none else 'some'} P2-line cell is reproduced")

for p in problems:
    print("FAIL (auditing reviewer 1):", p)
print(f"auditing reviewer 1 ({tier}): {len(problems)} problems")
sys.exit(1 if problems else 0)
