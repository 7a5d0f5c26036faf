"""Tests of the ping command builder and of the parser on real captures."""

import os
import re
import statistics

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import ping
from openstack_netperf import pair
from tests.unit.measure import collection

DATA = os.path.join(os.path.dirname(__file__), '..', 'data', 'ping')
FLAVORS = ('iputils', 'busybox')


def capture(name):
    with open(os.path.join(DATA, name + '.txt')) as f:
        return f.read()


def replies(text):
    """(seq, rtt) of every reply line, read independently of the parser."""
    return [(int(seq), float(rtt)) for seq, rtt in re.findall(
        r'^\d+ bytes from [^:]+: (?:icmp_)?seq=(\d+) ttl=\d+ time=([\d.]+)',
        text, re.M)]


def summary_rtt(text):
    """min/avg/max printed by ping itself."""
    match = re.search(r'= ([\d.]+)/([\d.]+)/([\d.]+)', text)
    return tuple(float(v) for v in match.groups())


class CommandTest(testtools.TestCase):

    def test_methodology_defaults(self):
        settings = pair.Settings()
        self.assertEqual(['env', 'LC_ALL=C', 'ping', '-c', '60', '-i', '1',
                          '198.19.11.5'],
                         ping.command('198.19.11.5',
                                      count=settings.ping_count,
                                      interval=settings.ping_interval))
        self.assertRaises(TypeError, ping.command, '198.19.11.5')

    def test_every_option(self):
        self.assertEqual(
            ['env', 'LC_ALL=C', 'ping', '-c', '10', '-i', '1', '-s',
             '1422', '-w', '30', 'vm-a1'],
            ping.command('vm-a1', count=10, interval=1, size=1422,
                         deadline=30))

    def test_bad_input_is_rejected_with_what_to_change(self):
        cases = [
            ({'host': ''}, 'address or host name'),
            ({'host': '-f'}, 'address or host name'),
            ({'host': 'a b'}, 'address or host name'),
            ({'count': 0}, 'count must be at least 1'),
            ({'count': 2.5}, 'count must be a whole number'),
            ({'count': True}, 'count must be a whole number'),
            ({'interval': 0}, 'positive number of seconds'),
            ({'interval': '0.2'}, 'positive number of seconds'),
            ({'size': 8}, 'size must be between 16 and 65507'),
            ({'size': 70000}, 'size must be between 16 and 65507'),
            ({'deadline': 0}, 'deadline must be at least 1'),
        ]
        for kwargs, message in cases:
            args = {'host': '198.19.11.5', 'count': 60, 'interval': 1}
            args.update(kwargs)
            exc = self.assertRaises(exceptions.InvalidInput, ping.command,
                                    **args)
            self.assertIn(message, str(exc))


class ParseCaptureTest(testtools.TestCase):

    def test_normal_run_keeps_the_replies_after_the_discarded(self):
        for flavor in FLAVORS:
            text = capture(flavor + '_normal')
            seen = replies(text)
            got = ping.parse(text, discard=10)
            self.assertEqual([rtt for _, rtt in seen[10:]], got.rtts_ms)
            self.assertEqual([rtt for _, rtt in seen], got.all_rtts_ms)
            self.assertEqual((20, 20, 0.0), (got.sent, got.received,
                                             got.loss_percent))
            self.assertEqual((30, 30, 10, 0, 0),
                             (got.total_sent, got.total_received,
                              got.discarded, got.duplicates, got.errors))

    def test_without_discarding_agrees_with_pings_own_summary(self):
        for flavor in FLAVORS:
            for case in ('normal', 'size', 'loss'):
                text = capture('%s_%s' % (flavor, case))
                got = ping.parse(text, discard=0)
                low, avg, high = summary_rtt(text)
                self.assertEqual(low, min(got.rtts_ms))
                self.assertEqual(high, max(got.rtts_ms))
                mean = sum(got.rtts_ms) / len(got.rtts_ms)
                self.assertAlmostEqual(avg, mean, delta=0.0015)

    def test_iputils_loss_counts_sequence_numbers(self):
        # Dropped: icmp_seq 2, 6, 10, ..., 30 (8 of 30). Discarding seq
        # 1-10 leaves 11-30, of which 14, 18, 22, 26, 30 were lost.
        got = ping.parse(capture('iputils_loss'), discard=10)
        self.assertEqual((20, 15, 25.0), (got.sent, got.received,
                                          got.loss_percent))
        all_probes = ping.parse(capture('iputils_loss'), discard=0)
        self.assertEqual((30, 22), (all_probes.sent, all_probes.received))
        self.assertAlmostEqual(800 / 30, all_probes.loss_percent)

    def test_busybox_loss_counts_from_sequence_zero(self):
        # Dropped: seq 1, 5, ..., 29. Discarding seq 0-9 leaves 10-29,
        # of which 13, 17, 21, 25, 29 were lost.
        text = capture('busybox_loss')
        got = ping.parse(text, discard=10)
        self.assertEqual((20, 15, 25.0), (got.sent, got.received,
                                          got.loss_percent))
        first_kept = [rtt for seq, rtt in replies(text) if seq >= 10]
        self.assertEqual(first_kept, got.rtts_ms)

    def test_total_loss(self):
        for flavor, sent in (('iputils', 15), ('busybox', 5)):
            got = ping.parse(capture(flavor + '_total_loss'), discard=2)
            self.assertEqual(([], sent - 2, 0, 100.0),
                             (got.rtts_ms, got.sent, got.received,
                              got.loss_percent))

    def test_host_unreachable(self):
        # How many probes go out before the deadline, and how many ARP
        # failures iputils reports, depends on timing: read them from the
        # capture itself.
        text = capture('iputils_host_unreachable')
        sent = int(re.search(r'(\d+) packets transmitted', text).group(1))
        errors = len(re.findall(r'^From .* Destination Host Unreachable$',
                                text, re.M))
        self.assertIn('+%d errors' % errors, text)
        got = ping.parse(text, discard=0)
        self.assertEqual((sent, 0, 100.0, errors),
                         (got.sent, got.received, got.loss_percent,
                          got.errors))
        self.assertGreater(errors, 0)
        self.assertEqual(['Destination Host Unreachable'],
                         got.error_messages)
        busybox = ping.parse(capture('busybox_host_unreachable'), discard=0)
        self.assertEqual((6, 0, 100.0, 0), (busybox.sent, busybox.received,
                                            busybox.loss_percent,
                                            busybox.errors))

    def test_network_unreachable_raises(self):
        for flavor, message in (('iputils', 'connect: Network is'),
                                ('busybox', 'sendto: Network is')):
            exc = self.assertRaises(
                exceptions.ToolError, ping.parse,
                capture(flavor + '_network_unreachable'))
            self.assertIn('ping failed: ' + message, str(exc))

    def test_duplicates_are_counted_not_measured(self):
        for flavor in FLAVORS:
            text = capture(flavor + '_broadcast')
            got = ping.parse(text, discard=1)
            self.assertEqual((4, 4, 0.0, 4),
                             (got.sent, got.received, got.loss_percent,
                              got.duplicates))
            # The first reply to each probe is the one measured.
            firsts = {}
            for seq, rtt in replies(text):
                firsts.setdefault(seq, rtt)
            self.assertEqual(list(firsts.values())[1:], got.rtts_ms)

    def test_discarding_every_probe_says_what_to_change(self):
        exc = self.assertRaises(exceptions.ToolError, ping.parse,
                                capture('iputils_size'), discard=15)
        self.assertIn('sent 15 probes, no more than the 15 to discard',
                      str(exc))
        self.assertIn('send more probes', str(exc))


class ParseBadInputTest(testtools.TestCase):

    def test_not_ping_output(self):
        for text in ('', 'Welcome to Ubuntu 22.04\n$ ',
                     capture('../iperf3/version')):
            exc = self.assertRaises(exceptions.ToolError, ping.parse, text)
            self.assertIn('not ping output', str(exc))

    def test_truncated_output_has_no_summary(self):
        text = capture('iputils_normal')
        cut = text[:text.index('---')]
        exc = self.assertRaises(exceptions.ToolError, ping.parse, cut)
        self.assertIn('no summary line', str(exc))
        self.assertIn('truncated', str(exc))

    def test_summary_contradicting_the_replies(self):
        text = capture('busybox_normal')
        lines = text.splitlines()
        del lines[20]
        exc = self.assertRaises(exceptions.ToolError, ping.parse,
                                '\n'.join(lines))
        self.assertIn('says 30 received but the output shows replies to '
                      '29 probes', str(exc))

    def test_mixed_formats(self):
        text = (capture('iputils_normal').splitlines()[1] + '\n'
                + capture('busybox_normal'))
        self.assertRaises(exceptions.ToolError, ping.parse, text)

    def test_negative_discard(self):
        self.assertRaises(exceptions.InvalidInput, ping.parse,
                          capture('iputils_normal'), discard=-1)


def german(text):
    """iputils output as iputils 20221126 prints it under a German locale.

    The substitutions are the msgstr of iputils' own po/de.po for
    " time=%s ms", "--- %s ping statistics ---", "%ld packets transmitted, ",
    "%ld received" and ", %g%% packet loss".
    """
    text = re.sub(r' time=([\d.]+) ms', r' Zeit=\1 ms', text)
    text = re.sub(r'--- (\S+) ping statistics ---',
                  r'--- \1 ping-Statistiken ---', text)
    return re.sub(r'(\d+) packets transmitted, (\d+) received, '
                  r'(\d+)% packet loss',
                  r'\1 Pakete übertragen, \2 empfangen, \3% Paketverlust',
                  text)


class OtherPingsTest(testtools.TestCase):
    """Outputs of other pings, kept from other projects (external/)."""

    def test_every_output_parses_to_its_recorded_figures(self):
        names, expected = collection.load(DATA, '.txt', ['VERSIONS.txt'])
        self.assertEqual(names, sorted(expected))
        for name in names:
            want = expected[name]
            text = capture(name[:-len('.txt')])
            if 'error' in want:
                exc = self.assertRaises(exceptions.ToolError, ping.parse,
                                        text, discard=0)
                self.assertIn(want['error'], str(exc), name)
                continue
            got = ping.parse(text, discard=0)
            self.assertEqual(
                want, {'total_sent': got.total_sent,
                       'total_received': got.total_received,
                       'duplicates': got.duplicates, 'errors': got.errors,
                       'rtts_ms': got.all_rtts_ms}, name)
            # The recorded figures are ping's own, read without the parser.
            sent, received = re.search(
                r'(\d+) packets transmitted, (\d+)', text).groups()
            self.assertEqual((int(sent), int(received)),
                             (got.total_sent, got.total_received), name)

    def test_bsd_ping_counts_from_zero(self):
        # FreeBSD and macOS number the first probe 0 and say "packets
        # received": discarding one probe must not count one as lost.
        for name in ('jc_freebsd12_ping-ip', 'jc_osx-10.14.6_ping-ip'):
            text = capture('external/' + name)
            got = ping.parse(text, discard=1)
            self.assertEqual((2, 2, 0.0),
                             (got.sent, got.received, got.loss_percent))
            self.assertEqual([rtt for _seq, rtt in replies(text)[1:]],
                             got.rtts_ms)

    def test_bsd_total_loss(self):
        got = ping.parse(
            capture('external/jc_osx-10.14.6_ping-ip-unreachable'), discard=2)
        self.assertEqual((6, 0, 100.0),
                         (got.sent, got.received, got.loss_percent))

    def test_iputils_s20180629_rounding_is_carried(self):
        # iputils s20180629 printed 47.95-47.99 ms as "47.10" (iputils
        # pull requests #123 and #142, fixed in s20190324): it is 48.0.
        text = capture('external/cloudmesh-pi-burn_raspios_s20180629')
        self.assertIn('time=47.10 ms', text)
        got = ping.parse(text, discard=0)
        self.assertEqual([48.2, 48.3, 47.9, 48.0, 48.5], got.rtts_ms)
        # ping's own average (from exact times) agrees only when carried.
        _low, average, _high = summary_rtt(text)
        self.assertAlmostEqual(average, statistics.mean(got.rtts_ms),
                               delta=0.05)
        self.assertGreater(
            abs(average - statistics.mean(rtt for _s, rtt in replies(text))),
            0.1)

    def test_rounding_carry_only_for_iputils_shapes(self):
        for shown, meant in (('17.10', 18.0), ('4.100', 5.0), ('9.100', 10.0),
                             ('47.1', 47.1), ('10.00', 10.0), ('0.100', 0.1),
                             ('4.10', 4.1), ('120', 120.0)):
            self.assertEqual(meant, ping._iputils_ms(shown), shown)
        # busybox and BSD print three decimals: "4.100" is 4.1 ms there.
        text = capture('external/jc_freebsd12_ping-ip').replace(
            'time=0.022', 'time=4.100')
        self.assertEqual(4.1, ping.parse(text, discard=0).rtts_ms[0])

    def test_non_english_output_asks_for_the_c_locale(self):
        for name in ('iputils_normal', 'iputils_total_loss'):
            exc = self.assertRaises(exceptions.ParseError, ping.parse,
                                    german(capture(name)))
            self.assertIn('ping printed non-English output', str(exc))
            self.assertIn('run it with LC_ALL=C', str(exc))

    def test_translated_replies_under_an_english_summary(self):
        text = capture('iputils_normal').replace(' time=', ' Zeit=')
        exc = self.assertRaises(exceptions.ParseError, ping.parse, text)
        self.assertIn('LC_ALL=C', str(exc))
