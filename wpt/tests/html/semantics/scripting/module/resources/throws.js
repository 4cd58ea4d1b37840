window.throwsRan = true;
throw new RangeError("thrown by a module");
