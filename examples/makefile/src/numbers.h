/* The two computations the program reports; each is compiled on its own, remotely. */
#ifndef NUMBERS_H
#define NUMBERS_H

long count_primes(long below);
long longest_collatz_start(long below, long *steps);

#endif
