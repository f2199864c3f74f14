// The injection payloads, shared by every route's test. Each would create `marker` if any shell,
// interpreter or template ever parsed it as code; a route passes when the value arrives verbatim.
import { execFileSync } from 'node:child_process';

export function injectionPayloads(marker: string): string[] {
  const m = marker;
  return [
    `$(touch ${m})`,
    `\`touch ${m}\``,
    `; touch ${m}`,
    `&& touch ${m}`,
    `|| touch ${m}`,
    `| touch ${m}`,
    `\ntouch ${m}\n`,
    `"; touch ${m}; echo "`,
    `'; touch ${m}; echo '`,
    `\`; touch ${m}; echo \``,
    `$(touch${'${IFS}'}${m})`,
    `\${IFS}touch\${IFS}${m}`,
    `* ? [a-z] ~ {a,b}`,
    `/*/*`,
    `x`.repeat(100_000),
    `$((1+1)) \${HOME} $HOME`,
    `> ${m}`,
    `< /etc/passwd`,
    `2>${m}`,
    `& touch ${m} &`,
    `\\"; touch ${m}; \\"`,
    `__import__('os').system('touch ${m}')`,
    `"""; import os; os.system("touch ${m}"); """`,
    `'+require('fs').writeFileSync('${m}','')+'`,
    `$env:PATH; New-Item ${m}`,
    `＄(touch ${m})`,
    `；touch ${m}`,
    `‘; touch ${m}; ’`,
    `\u202Etouch ${m}`,
    `%0Atouch ${m}`,
    `{{ touch ${m} }}`,
    `\${{ inputs.x }}`,
    `-rf --no-preserve-root /`,
    `\r\ntouch ${m}\r\n`,
    // JavaScript's replacement patterns: a value substituted with String.replace must not expand them.
    `$$ $& $' $\` {prompt} {model} $1`,
  ];
}

/** A NUL byte: cannot travel in an environment variable or an argument, only in JSON (stdin, `$TOOL_INPUT`). */
export const NUL_PAYLOAD = 'before\u0000after';

/** How each shell prints the variable V (bash, sh, python; pwsh when installed). */
export const SHELLS: { shell: string; print: string }[] = [
  { shell: 'bash', print: `printf '%s' "$V"` },
  { shell: 'sh', print: `printf '%s' "$V"` },
  { shell: 'python', print: `import os, sys; sys.stdout.write(os.environ["V"])` },
];
try {
  execFileSync('pwsh', ['-v'], { stdio: 'ignore' });
  SHELLS.push({ shell: 'pwsh', print: '[Console]::Out.Write($env:V)' });
} catch {
  // pwsh is not installed here (Debian's apt has no package for it): its route is skipped.
}
