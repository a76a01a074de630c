#include "numbers.h"

static long chain_length(long n) {
  long steps = 0;
  while (n != 1) {
    n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
    steps++;
  }
  return steps;
}

long longest_collatz_start(long below, long *steps) {
  long best = 1;
  *steps = 0;
  for (long start = 1; start < below; start++) {
    long length = chain_length(start);
    if (length > *steps) {
      *steps = length;
      best = start;
    }
  }
  return best;
}
