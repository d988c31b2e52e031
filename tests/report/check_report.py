#!/usr/bin/env python3
"""Checks OUT/report as a reader would use it; exits 1 naming every problem.

- every link target exists (files relative to the report, #anchors as ids
  of report.html); external links are not fetched;
- every image exists and is non-empty, and has alt text;
- every figure has a caption: the images after an anchor `figure-N` (one
  panel per tier) are followed by "*Figure N.* ...";
- every claim of OUT/results/*.smoke.json appears in the status table and
  in verdicts.csv (one row per claim and tier);
- the front matter's counts per tier equal the status table's column;
- every figures/*.csv carries its error columns (y_error, low, high, n),
  filled for rate, mean_band and errorbars series;
- no caption states a direction its own observed numbers contradict (a
  caption with "rise" while an observed `*rose*` key reads "0 of M" must
  read as an expectation);
- the report cites no PAPER.md (a file outside the repository);
- every claim has a source (its ClaimSpec's paper): in the result, in
  verdicts.csv and in report.md (never "no source declared");
- each figures/*.gp re-renders its PNG and SVG alone in a temporary folder;
- a result of an old format shows as "stale format".
"""
import glob
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

out = sys.argv[1]
report = os.path.join(out, "report")
problems = []

md = open(os.path.join(report, "report.md"), encoding="utf-8").read()
page = open(os.path.join(report, "report.html"), encoding="utf-8").read()


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.imgs = set(), [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "img":
            self.imgs.append((a.get("src", ""), a.get("alt", "")))


c = Collect()
c.feed(page)


def check_target(target, where):
    if re.match(r"^[a-z]+:", target):
        return  # external: not fetched offline
    path, _, anchor = target.partition("#")
    if path and not os.path.exists(os.path.join(report, path)):
        problems.append(f"{where}: link target {target} does not exist")
    if not path and anchor and anchor not in c.ids:
        problems.append(f"{where}: anchor #{anchor} is no id of report.html")


md_links = re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", md)
for t in md_links:
    check_target(t, "report.md")
for t in c.hrefs:
    check_target(t, "report.html")
if not md_links or not c.hrefs:
    problems.append("the report has no links")

images = re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", md)
if not images:
    problems.append("report.md has no image")
for alt, src in images:
    p = os.path.join(report, src)
    if not os.path.exists(p) or os.path.getsize(p) == 0:
        problems.append(f"image {src} is missing or empty")
    if not alt.strip():
        problems.append(f"image {src} has no alt text")
for src, alt in c.imgs:
    if not os.path.exists(os.path.join(report, src)):
        problems.append(f"report.html image {src} is missing")
    if not alt.strip():
        problems.append(f"report.html image {src} has no alt text")

# Captions: every image after an anchor figure-N belongs to Figure N, and
# the anchor's block ends with "*Figure N.* caption".
lines = md.splitlines()
numbers = []
current = None
for line in lines:
    m = re.match(r'^<a id="figure-(\d+)"></a>', line)
    if m:
        current = int(m.group(1))
        continue
    if "![" in line and "report_forest" not in line and current is None:
        problems.append(f"figure {line[:60]} is in no figure block")
    m = re.match(r"^\*Figure (\d+)\.\* (\S.*)", line)
    if m:
        if current is None or int(m.group(1)) != current:
            problems.append(f"caption {line[:40]} follows no anchor figure-{m.group(1)}")
        numbers.append(int(m.group(1)))
        current = None
if current is not None:
    problems.append(f"figure {current} has no caption")
if numbers != list(range(1, len(numbers) + 1)):
    problems.append(f"figures are not numbered 1..n: {numbers}")

# Every claim in the status table.
status = md.split("## Status of every claim", 1)
if len(status) != 2:
    problems.append("no status table")
    table = ""
else:
    table = status[1].split("\n## ", 1)[0]
claims = 0
verdict_rows = set()
try:
    import csv as csvmod
    with open(os.path.join(report, "verdicts.csv"), encoding="utf-8") as fh:
        for row in csvmod.DictReader(fh):
            verdict_rows.add((row["claim"], row["tier"]))
            # Every claim's source comes from its ClaimSpec (paper, P1
            # script): an experiment without one is an error, never a
            # placeholder.
            if row["source"] in ("", "-", "no source declared"):
                problems.append(
                    f"claim {row['claim']} ({row['tier']}) has no source: declare "
                    f"paper (and p1_script) in {row['experiment']}'s ClaimSpecs")
except (OSError, KeyError) as e:
    problems.append(f"verdicts.csv unreadable: {e}")
smoke_results = []
for path in glob.glob(os.path.join(out, "results", "*.smoke.json")):
    result = json.load(open(path))
    smoke_results.append(result)
    for claim in result["claims"]:
        claims += 1
        if f"| [{claim['id'].replace('/', '/<wbr>')}](#" not in table:
            problems.append(f"claim {claim['id']} is not in the status table")
        if (claim["id"], "smoke") not in verdict_rows:
            problems.append(f"claim {claim['id']} has no smoke row in verdicts.csv")
if claims == 0:
    problems.append("no smoke results found")
for path in glob.glob(os.path.join(out, "results", "*.smoke.json")):
    result = json.load(open(path))
    for claim in result["claims"]:
        src = claim.get("source") or {}
        if not src.get("paper"):
            problems.append(f"{os.path.basename(path)}: claim {claim['id']} carries "
                            "no source.paper (its ClaimSpec declares none)")
if "no source declared" in md:
    problems.append("report.md says 'no source declared' for some claim")
if "stale format" not in table:
    problems.append("the format-1 paper result does not show as stale format")

# Front-matter counts equal the table's columns.
def split_row(row):
    cells = re.split(r"(?<!\\)\|", row.strip())
    return [c.strip() for c in cells[1:-1]]
table_rows = [l for l in table.splitlines() if l.startswith("|")]
if len(table_rows) >= 2:
    header = [re.sub(r"<br>.*", "", h) for h in split_row(table_rows[0])]
    body = [split_row(r) for r in table_rows[2:]]
    front = md.split("## Contents", 1)[0]
    counted = 0
    for m in re.finditer(r"^- \*\*(\w+)\*\* \([^)]*\): (\d+) claims: (\d+) \u2714 "
                         r"reproduced, (\d+) \u2718 not reproduced, (\d+) \? "
                         r"undecided.*?, (\d+) ~ descriptive", front, re.M):
        tier = m.group(1)
        counted += 1
        want = dict(zip(["claims", "v-yes", "v-no", "v-open", "v-desc"],
                        map(int, m.groups()[1:])))
        if tier not in header:
            problems.append(f"front matter counts tier {tier}, the table has no column")
            continue
        col = header.index(tier)
        got = {k: 0 for k in want}
        for r in body:
            cell = r[col] if col < len(r) else ""
            for k in ("v-yes", "v-no", "v-open", "v-desc"):
                if f'class="{k}"' in cell:
                    got[k] += 1
                    got["claims"] += 1
        if got != want:
            problems.append(f"{tier}: front matter says {want}, the table shows {got}")
    if counted == 0:
        problems.append("the front matter has no counts per tier in the expected form")

# Every CSV carries its error columns, filled where the drawing has them.
for path in sorted(glob.glob(os.path.join(report, "figures", "*.csv"))):
    with open(path, encoding="utf-8") as fh:
        rows = list(csvmod.DictReader(fh))
        fh.seek(0)
        head = fh.readline().strip().split(",")
    for col in ("y_error", "low", "high", "n"):
        if col not in head:
            problems.append(f"{os.path.basename(path)} has no {col} column")
    for r in rows:
        if r.get("style") in ("rate", "mean_band", "errorbars") and r.get("y") not in ("NaN", ""):
            if not r.get("low") or not r.get("high"):
                problems.append(f"{os.path.basename(path)}: a {r['style']} row has no low/high")
                break

# No caption states a direction its observed numbers contradict.
for result in smoke_results:
    rose = [(k, v) for c in result["claims"] for k, v in c.get("observed", {}).items()
            if ("rose" in k or "riser" in k) and str(v).split(" ")[0] == "0"]
    for f in result.get("figures", []):
        if "rise" in f.get("caption", "") and rose:
            for line in lines:
                if f.get("caption", "")[:40] in line and line.startswith("*Figure") \
                        and "Expected, not shown" not in line:
                    problems.append(f"caption of {result['experiment']}/{f['name']} says "
                                    f"'rise' while {rose[0][0]} = {rose[0][1]}")

if "PAPER.md" in md or "PAPER.md" in page:
    problems.append("the report cites PAPER.md, a file outside the repository")

# Each .gp re-renders alone in a temporary folder.
scripts = sorted(glob.glob(os.path.join(report, "figures", "*.gp")))
if not scripts:
    problems.append("no .gp scripts")
for gp in scripts:
    stem = os.path.basename(gp)[:-3]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(gp, tmp)
        r = subprocess.run(["gnuplot", stem + ".gp"], cwd=tmp,
                           capture_output=True, text=True)
        for ext in ("png", "svg"):
            f = os.path.join(tmp, f"{stem}.{ext}")
            if r.returncode != 0 or not os.path.exists(f) or os.path.getsize(f) == 0:
                problems.append(f"{stem}.gp does not re-render {ext} alone: "
                                f"{r.stderr.strip()[:200]}")

for p in problems:
    print("FAIL:", p)
print(f"{len(images)} figures, {claims} claims, {len(md_links)} md links, "
      f"{len(scripts)} scripts checked; {len(problems)} problems")
sys.exit(1 if problems else 0)
