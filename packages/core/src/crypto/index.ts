export { SecretBox, keyIdOf } from './secret-box.js';
export { generateToken, hashToken, secretsEqual } from './tokens.js';
