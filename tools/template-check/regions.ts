/**
 * AWS Regions, from the partition data the AWS SDK ships (the endpoint resolver's own list), so the name checks
 * follow new Regions as the SDK is updated.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const PartitionsSchema = z.object({
  partitions: z.array(z.object({ id: z.string(), regions: z.record(z.string(), z.unknown()) })),
});

/** Where @aws-sdk/core keeps the partitions (an internal file: a move makes this fail loudly, not silently). */
const PARTITIONS_FILE = 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';

/** Every Region of every partition, without the `…-global` pseudo-Regions. */
export function allRegions(): Array<{ partition: string; region: string }> {
  const corePackage = createRequire(import.meta.url).resolve('@aws-sdk/core/package.json');
  const file = join(dirname(corePackage), PARTITIONS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the AWS SDK's Region list at ${file}: ${String(error)}`);
  }
  const data = PartitionsSchema.parse(JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)));
  return data.partitions.flatMap((partition) =>
    Object.keys(partition.regions)
      .filter((region) => !region.endsWith('-global'))
      .map((region) => ({ partition: partition.id, region })),
  );
}

/** The longest Region name and the longest partition name: the worst case for names built from them. */
export function longestNames(): { region: string; partition: string } {
  const regions = allRegions();
  const longest = (names: string[]) => names.reduce((best, name) => (name.length > best.length ? name : best), '');
  return {
    region: longest(regions.map((entry) => entry.region)),
    partition: longest(regions.map((entry) => entry.partition)),
  };
}
