#include <stdlib.h>
#include <string.h>

#include "numbers.h"

/* Sieve of Eratosthenes. */
long count_primes(long below) {
  if (below < 3) return 0;
  char *composite = calloc((size_t)below, 1);
  if (!composite) return -1;
  long count = 0;
  for (long n = 2; n < below; n++) {
    if (composite[n]) continue;
    count++;
    for (long multiple = n * n; multiple < below; multiple += n) composite[multiple] = 1;
  }
  free(composite);
  return count;
}
