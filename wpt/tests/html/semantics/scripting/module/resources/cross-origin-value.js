export const value = "from another origin";
