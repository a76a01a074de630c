#ifndef UNITS_H
#define UNITS_H

/* Square metres per unit of area: only shapes.c reads it, so only shapes.o depends on it. */
#define AREA_SCALE 1.0

#endif
