// Placeholder replaced below
export {};
