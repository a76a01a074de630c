"""Local step: a short report from the remote steps' results."""
import csv
import sys

stats_path, ranking_path = sys.argv[1:]
with open(stats_path, newline='') as data:
    stats = list(csv.DictReader(data))
with open(ranking_path) as ranking:
    worst = [line.split() for line in ranking.readlines()[:3]]

print(f"{sum(int(row['count']) for row in stats)} readings from {len(stats)} sensors")
noisiest = max(stats, key=lambda row: float(row['stddev']))
print(f"noisiest sensor: {noisiest['sensor']} (stddev {noisiest['stddev']})")
print('drifting most (change per 100k readings):')
for rank, sensor, trend in worst:
    print(f'  {rank}. {sensor} {trend}')
