#!/usr/bin/env python3
"""Checks OUT/report as a reader would use it; exits 1 naming every problem.

- every link target exists (files relative to the report, #anchors as ids
  of report.html); external links are not fetched;
- every image exists and is non-empty, and has alt text;
- every figure has a caption ("*Figure N.* ..." right below its image);
- every claim of OUT/results/*.smoke.json appears in the status table;
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

# Captions: the first non-empty line after each image.
lines = md.splitlines()
numbers = []
for i, line in enumerate(lines):
    if line.startswith("!["):
        nxt = next((l for l in lines[i + 1:] if l.strip()), "")
        m = re.match(r"^\*Figure (\d+)\.\* (\S.*)", nxt)
        if not m:
            problems.append(f"figure {line[:60]} has no caption")
        else:
            numbers.append(int(m.group(1)))
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
for path in glob.glob(os.path.join(out, "results", "*.smoke.json")):
    for claim in json.load(open(path))["claims"]:
        claims += 1
        if f"| [{claim['id']}](#" not in table:
            problems.append(f"claim {claim['id']} is not in the status table")
if claims == 0:
    problems.append("no smoke results found")
if "stale format" not in table:
    problems.append("the format-1 paper result does not show as stale format")

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
