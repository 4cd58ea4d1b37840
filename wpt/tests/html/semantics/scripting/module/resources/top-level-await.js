await new Promise((resolve) => setTimeout(resolve, 10));
export const waited = true;
