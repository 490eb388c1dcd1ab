<?php
// Answers the cases of php_strtotime_gen.py with PHP's own strtotime() (see its docstring).
// reads "zone\tnow\tinput" lines; prints strtotime(input, now) or "false"
while (($line = fgets(STDIN)) !== false) {
    $line = rtrim($line, "\n");
    [$zone, $now, $input] = explode("\t", $line, 3);
    date_default_timezone_set($zone);
    $r = @strtotime($input, (int)$now);
    echo ($r === false ? "false" : $r), "\n";
}
