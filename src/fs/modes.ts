/** Permission bits: secrets for the owner only, certificates readable by all, folders private. */
export const SECRET_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
export const DIR_MODE = 0o700;
