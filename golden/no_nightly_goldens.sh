#!/usr/bin/env bash
echo "no golden/*.nightly.json is committed yet: run 'tools/repro bless --tier=nightly' (a few core-hours) and commit them" >&2
exit 1
