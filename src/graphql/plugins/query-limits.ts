import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { GraphQLError } from 'graphql';

/**
 * Hostile documents are refused before they run. Armor reports them as "Syntax Error: …";
 * its onReject hook relabels each as what it is, a document too complex, with a code.
 */
export function useQueryLimits(options: { blockFieldSuggestions: boolean }) {
  const onReject = [
    (_context: unknown, error: GraphQLError) => {
      error.message = error.message.replace(/^Syntax Error: /, 'Query too complex: ');
      (error.extensions as Record<string, unknown>).code = 'QUERY_TOO_COMPLEX';
    },
  ];
  return EnvelopArmorPlugin({
    maxDepth: { n: 12, onReject },
    maxAliases: { n: 20, onReject },
    maxTokens: { n: 2000, onReject },
    maxDirectives: { n: 20, onReject },
    costLimit: { maxCost: 10_000, onReject },
    blockFieldSuggestion: { enabled: options.blockFieldSuggestions },
  });
}
