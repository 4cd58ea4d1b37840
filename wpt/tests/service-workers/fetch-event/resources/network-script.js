window.fromTheNetwork = 7;
