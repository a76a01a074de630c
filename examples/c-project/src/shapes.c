#include "shapes.h"
#include "units.h"

double shape_area(const struct shape *shape) {
  return shape->width * shape->height * AREA_SCALE;
}
