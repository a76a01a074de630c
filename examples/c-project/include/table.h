#ifndef TABLE_H
#define TABLE_H

void table_row(const char *name, double value);

#endif
