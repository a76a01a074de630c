#!/usr/bin/env node
// The program's entry is remote-exec.cjs (see there why); this name is kept for whoever runs it.
import './remote-exec.cjs';
