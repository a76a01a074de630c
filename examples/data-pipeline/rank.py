"""Remote step, after aggregate.py: the sensors ranked by how far they drift."""
import csv
import sys

source, target = sys.argv[1:]
with open(source, newline='') as data:
    rows = list(csv.DictReader(data))
rows.sort(key=lambda row: (-abs(float(row['trend_per_100k'])), row['sensor']))
with open(target, 'w') as out:
    for rank, row in enumerate(rows, start=1):
        out.write(f"{rank:2d} {row['sensor']} {float(row['trend_per_100k']):+.4f}\n")
