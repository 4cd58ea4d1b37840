// Throws at the top level, on line 3.
self.ready = true;
throw new RangeError("thrown by the worker");
