"""Local step: writes the raw measurements (a few MB of CSV), the same bytes on every run."""
import random
import sys

SENSORS = 40
READINGS = 150_000

rng = random.Random(2026)
drift = {sensor: rng.uniform(-0.5, 0.5) for sensor in range(SENSORS)}
with open(sys.argv[1], 'w') as out:
    out.write('reading,sensor,value\n')
    for reading in range(READINGS):
        sensor = rng.randrange(SENSORS)
        value = 20 + drift[sensor] * (reading / READINGS) * 10 + rng.gauss(0, 1 + sensor / 20)
        out.write(f'{reading},s{sensor:02d},{value:.4f}\n')
