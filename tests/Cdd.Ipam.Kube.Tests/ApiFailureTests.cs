using System.Net;
using k8s.Autorest;

namespace Cdd.Ipam.Kube.Tests;

[Cdd.Testing.Tier(Cdd.Testing.Tier.Unit)]
public sealed class ApiFailureTests
{
    static HttpOperationException Http(HttpStatusCode code, string message = "") =>
        new(message) { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), "") };

    [Theory]
    [InlineData(HttpStatusCode.NotFound, true, false, false, false)]
    [InlineData(HttpStatusCode.Conflict, false, true, false, false)]
    [InlineData(HttpStatusCode.Gone, false, false, true, false)]
    [InlineData(HttpStatusCode.Forbidden, false, false, false, true)]
    [InlineData(HttpStatusCode.InternalServerError, false, false, false, false)]
    public void The_predicates_go_by_status_code(HttpStatusCode code, bool notFound, bool conflict, bool gone, bool forbidden)
    {
        var e = Http(code);
        Assert.Equal((notFound, conflict, gone, forbidden), (ApiFailure.IsNotFound(e), ApiFailure.IsConflict(e), ApiFailure.IsGone(e), ApiFailure.IsForbidden(e)));
    }

    [Fact]
    public void A_message_that_says_conflict_is_not_a_conflict()
    {
        Assert.False(ApiFailure.IsConflict(Http(HttpStatusCode.InternalServerError, "Operation cannot be fulfilled: the object has been modified (409)")));
        Assert.False(ApiFailure.IsConflict(new InvalidOperationException("409 Conflict")));
        Assert.False(ApiFailure.IsNotFound(new HttpOperationException("404 not found"))); // no response: no status
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.Conflict, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    public void Transient_means_the_answer_may_be_lost_or_the_server_busy(HttpStatusCode code, bool transient) =>
        Assert.Equal(transient, ApiFailure.IsTransient(Http(code), CancellationToken.None));
}
