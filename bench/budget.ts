// How many timed runs each measure gets: the full run keeps `npm run bench` under ten minutes on two
// cores; --quick takes about a third of the runs, for a look at the table in a few minutes.

export interface Budget {
  quick: boolean;
  runs(full: number): number;
  warmup(full: number): number;
}

export function budget(quick: boolean): Budget {
  return {
    quick,
    runs: (full) => (quick ? Math.max(1, Math.ceil(full / 3)) : full),
    warmup: (full) => (quick ? Math.min(full, 1) : full),
  };
}
