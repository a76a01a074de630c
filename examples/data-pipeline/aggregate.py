"""Remote step: per-sensor statistics of the measurements, with a least-squares trend per sensor."""
import csv
import math
import sys
from collections import defaultdict

source, target = sys.argv[1:]
readings = defaultdict(list)
with open(source, newline='') as data:
    for row in csv.DictReader(data):
        readings[row['sensor']].append((int(row['reading']), float(row['value'])))

with open(target, 'w') as out:
    out.write('sensor,count,mean,stddev,trend_per_100k\n')
    for sensor in sorted(readings):
        points = readings[sensor]
        count = len(points)
        mean = math.fsum(value for _, value in points) / count
        stddev = math.sqrt(math.fsum((value - mean) ** 2 for _, value in points) / (count - 1))
        mean_x = math.fsum(x for x, _ in points) / count
        covariance = math.fsum((x - mean_x) * (value - mean) for x, value in points)
        spread = math.fsum((x - mean_x) ** 2 for x, _ in points)
        out.write(f'{sensor},{count},{mean:.4f},{stddev:.4f},{covariance / spread * 100_000:.4f}\n')
