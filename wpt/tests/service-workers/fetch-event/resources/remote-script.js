window.fromAnotherOrigin = 9;
