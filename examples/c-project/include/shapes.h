#ifndef SHAPES_H
#define SHAPES_H

struct shape {
  const char *name;
  double width;
  double height;
};

double shape_area(const struct shape *shape);

#endif
