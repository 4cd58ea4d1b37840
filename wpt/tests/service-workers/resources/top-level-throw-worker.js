// Throws while it is evaluated.
throw new Error("thrown at the top level on purpose");
