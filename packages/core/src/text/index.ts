export { CONTROL_CHARACTER, TEXT_CONTROL_CHARACTER, replaceControlCharacters } from './control-characters.js';
export { storableText, storableStrings } from './storable-text.js';
