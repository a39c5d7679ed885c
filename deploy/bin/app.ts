#!/usr/bin/env -S npx tsx
// The CDK app: reads the context, creates the signer stack, runs the cdk-nag AwsSolutions checks on it.
// Run from the project root: `npx cdk synth -c pcr0=<96 hex>` (see deploy/README.md for every parameter).
import { Annotations, App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { readSignerContext } from "../lib/read_signer_context.ts";
import { SignerStack } from "../lib/signer_stack.ts";

const app = new App();
const props = readSignerContext(app);
const stack = new SignerStack(app, "NitroSigner", props);
Annotations.of(stack).addInfo(`Key policy bound to PCR0 ${stack.settings.pcr0} (from ${props.pcr0Source})`);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
