#include <stdio.h>
#include "table.h"

void table_row(const char *name, double value) {
  printf("%-10s %8.2f\n", name, value);
}
