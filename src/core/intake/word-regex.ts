/**
 * Building RE2 patterns for word lists. RE2 has no lookbehind, so "a field not preceded by the
 * word `old`" is written as "preceded by a word that is not `old`"; {@link wordOtherThan} spells
 * out that complement of a finite set of words as a (regular) pattern.
 */

const WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_";

interface TrieNode {
  terminal: boolean;
  readonly children: Map<string, TrieNode>;
}

function trieOf(words: readonly string[]): TrieNode {
  const root: TrieNode = { terminal: false, children: new Map() };
  for (const word of words) {
    let node = root;
    for (const char of word.toLowerCase()) {
      let child = node.children.get(char);
      if (child === undefined) {
        child = { terminal: false, children: new Map() };
        node.children.set(char, child);
      }
      node = child;
    }
    node.terminal = true;
  }
  return root;
}

/** Continuations (possibly empty) of a trie node's prefix that do not spell one of the words. */
function continuations(node: TrieNode, allowEmpty: boolean): string {
  const others = [...WORD_CHARS].filter((char) => !node.children.has(char)).join("");
  const alternatives = [`[${others}][a-z0-9_]*`];
  for (const [char, child] of node.children) {
    alternatives.push(`${char}${continuations(child, !child.terminal)}`);
  }
  const group = `(?:${alternatives.join("|")})`;
  return allowEmpty ? `${group}?` : group;
}

/**
 * A pattern (use case-insensitive) for one whole run of word characters `[a-z0-9_]+` that is none
 * of `words` (lower-case letters, digits and `_`). Anchor it yourself (it does not check what
 * stands around it).
 */
export function wordOtherThan(words: readonly string[]): string {
  return continuations(trieOf(words), false);
}
