/**
 * Rule: no dependency cycle. CloudFormation orders resources by Ref, Fn::GetAtt, Fn::Sub and DependsOn and
 * refuses a template whose order has a cycle ("Circular dependency between resources") before creating anything.
 */
import { type Reference, type RuleResult, referencesOf, type Template } from '../template.ts';

const RULE = 'cycles';

interface Edge extends Reference {
  from: string;
}

/** The strongly connected sets of more than one resource (or one that refers to itself), by Tarjan's algorithm. */
function stronglyConnected(nodes: string[], edges: ReadonlyMap<string, Edge[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const sets: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const edge of edges.get(node) ?? []) {
      if (!index.has(edge.target)) {
        visit(edge.target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(edge.target) ?? 0));
      } else if (onStack.has(edge.target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(edge.target) ?? 0));
      }
    }
    if (low.get(node) === index.get(node)) {
      const set: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        set.push(member);
      } while (member !== node);
      const selfLoop = (edges.get(node) ?? []).some((edge) => edge.target === node);
      if (set.length > 1 || selfLoop) sets.push(set.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return sets;
}

const describeEdge = (edge: Edge) =>
  `${edge.from} → ${edge.target} (${edge.via}${edge.attribute ? ` ${edge.attribute}` : ''} at ${edge.path})`;

/**
 * Finds the cycles of a set by a depth-first walk inside it: every edge back to a resource still on the walk
 * closes one cycle, which is named with that closing edge.
 */
function cyclesIn(set: string[], edges: ReadonlyMap<string, Edge[]>): Array<{ path: string[]; closing: Edge }> {
  const members = new Set(set);
  const found: Array<{ path: string[]; closing: Edge }> = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    trail.push(node);
    const followed = new Set<string>();
    for (const edge of edges.get(node) ?? []) {
      // One edge per pair: a second reference to the same resource closes no other cycle.
      if (!members.has(edge.target) || followed.has(edge.target)) continue;
      followed.add(edge.target);
      const targetState = state.get(edge.target);
      if (targetState === 'open') {
        found.push({ path: [...trail.slice(trail.indexOf(edge.target)), edge.target], closing: edge });
      } else if (targetState === undefined) {
        visit(edge.target);
      }
    }
    trail.pop();
    state.set(node, 'done');
  };
  for (const node of set) if (!state.has(node)) visit(node);
  return found;
}

/** Reports each dependency cycle with its resources and the edge that closes it. */
export function checkCycles(template: Template): RuleResult {
  const resources = template.Resources;
  const edges = new Map<string, Edge[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const seen = new Set<string>();
    const own: Edge[] = [];
    for (const reference of referencesOf(resource)) {
      if (!(reference.target in resources)) continue;
      const key = `${reference.target}|${reference.via}|${reference.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      own.push({ ...reference, from: id });
    }
    edges.set(id, own);
  }
  const findings = stronglyConnected(Object.keys(resources).sort(), edges).flatMap((set) => {
    const cycles = cyclesIn(set, edges);
    return cycles.map(({ path, closing }) => ({
      rule: RULE,
      resource: closing.from,
      message:
        `dependency cycle of ${path.length - 1} resources (in a strongly connected set of ${set.length}: ` +
        `${set.join(', ')}): ${path.join(' → ')}; closed by ${describeEdge(closing)}`,
    }));
  });
  return { findings, notes: [] };
}
