#!/usr/bin/env bash
echo "make-handbuilt-fixtures: not written yet" >&2
