#include "shapes.h"
#include "table.h"

int main(void) {
  const struct shape shapes[] = {{"door", 0.9, 2.1}, {"window", 1.2, 1.4}, {"wall", 4.0, 2.6}};
  double total = 0;
  for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    double area = shape_area(&shapes[i]);
    table_row(shapes[i].name, area);
    total += area;
  }
  table_row("total", total);
  return 0;
}
