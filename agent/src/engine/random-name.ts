// Docker-style "adjective_scientist" names for containers created without --name.
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'admiring', 'bold', 'brave', 'busy', 'calm', 'clever', 'cool', 'dazzling', 'eager', 'elegant',
  'epic', 'focused', 'friendly', 'gallant', 'happy', 'hopeful', 'jolly', 'keen', 'kind', 'lucid',
  'modest', 'nifty', 'optimistic', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp', 'stoic',
  'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
];
const NAMES = [
  'agnesi', 'babbage', 'bardeen', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler',
  'fermat', 'feynman', 'galileo', 'gauss', 'hamilton', 'hopper', 'hypatia', 'kepler', 'knuth',
  'lamarr', 'lovelace', 'meitner', 'newton', 'noether', 'pascal', 'ritchie', 'shannon', 'tesla',
  'thompson', 'torvalds', 'turing', 'wozniak', 'yalow',
];

export function randomName(taken: (name: string) => boolean): string {
  for (let i = 0; ; i++) {
    const base = `${ADJECTIVES[randomInt(ADJECTIVES.length)]}_${NAMES[randomInt(NAMES.length)]}`;
    const name = i < 10 ? base : `${base}${randomInt(10)}`;
    if (!taken(name)) return name;
  }
}
