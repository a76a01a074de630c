#include <stdio.h>

#include "numbers.h"

int main(void) {
  const long limit = LIMIT;
  long steps;
  long start = longest_collatz_start(limit, &steps);
  printf("primes below %ld: %ld\n", limit, count_primes(limit));
  printf("longest Collatz chain below %ld starts at %ld (%ld steps)\n", limit, start, steps);
  return 0;
}
